workflow "w" {}

job "a" {
  resources {
    cpu = 2
    mem = "1G"
  }
  command = "echo hi"
}
