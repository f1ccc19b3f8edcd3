workflow "w" {}

job "prepare" {
  command = "echo hi"
}

job "a" {
  after   = [job.prepre]
  command = "echo hi"
}
