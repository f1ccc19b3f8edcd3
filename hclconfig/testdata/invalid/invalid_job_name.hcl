workflow "w" {}

job "my job" {
  command = "echo hi"
}
