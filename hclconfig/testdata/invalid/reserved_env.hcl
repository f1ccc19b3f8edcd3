workflow "w" {}

job "a" {
  env = {
    REFLOW_RESULT = "/tmp/x"
  }
  command = "echo hi"
}
