workflow "w" {}

job "a" {
  command = "echo ${job.c.result}"
}

job "b" {
  command = "echo ${job.a.result}"
}

job "c" {
  command = "echo ${job.b.result}"
}
