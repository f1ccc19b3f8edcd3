workflow "w" {}

job "a" {
  command = "echo one"
}

job "a" {
  command = "echo two"
}
