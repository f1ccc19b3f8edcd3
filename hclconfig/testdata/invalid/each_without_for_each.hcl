workflow "w" {}

job "a" {
  command = "echo ${each.value}"
}
