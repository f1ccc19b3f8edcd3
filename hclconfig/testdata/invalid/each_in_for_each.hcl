workflow "w" {}

job "a" {
  for_each = [each.index]
  command  = "echo ${each.value}"
}
