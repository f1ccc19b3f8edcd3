workflow "w" {}

job "a" {
  command = "date > out.txt"
  outputs = ["out.txt"]
}

job "b" {
  command = "cat ${args(job.a.output)}"
}
