workflow "w" {}

job "a" {
  for_each = []
  command  = "echo ${each.value}"
}
