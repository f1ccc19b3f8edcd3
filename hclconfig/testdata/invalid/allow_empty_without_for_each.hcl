workflow "w" {}

job "a" {
  allow_empty = true
  command     = "echo hi"
}
