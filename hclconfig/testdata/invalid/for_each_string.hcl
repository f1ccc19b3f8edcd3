workflow "w" {}

job "a" {
  for_each = "abc"
  command  = "echo ${each.value}"
}
