workflow "w" {}

job "a" {
  for_each = job.a.outputs
  command  = "echo ${each.value}"
}
