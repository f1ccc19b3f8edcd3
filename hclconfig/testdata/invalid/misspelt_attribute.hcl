workflow "w" {}

job "a" {
  comand = "echo hi"
}
