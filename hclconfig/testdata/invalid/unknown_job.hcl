workflow "w" {}

job "split" {
  command = "split data"
  outputs = ["chunk_*"]
}

job "upper" {
  for_each = job.spilt.outputs
  command  = "tr a-z A-Z < ${each.value}"
}
