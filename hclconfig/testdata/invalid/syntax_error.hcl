workflow "w" {}

job "a" {
  command = "echo hi"
