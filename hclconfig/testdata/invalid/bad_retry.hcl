workflow "w" {}

job "a" {
  retry {
    attempts = 0
    on       = ["oom", "timout"]
  }
  command = "echo hi"
}
