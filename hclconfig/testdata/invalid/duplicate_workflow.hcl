workflow "one" {}
workflow "two" {}

job "a" {
  command = "echo hi"
}
