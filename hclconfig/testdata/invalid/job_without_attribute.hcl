workflow "w" {}

job "a" {
  command = "echo hi"
}

job "b" {
  command = "echo ${job.a}"
}
