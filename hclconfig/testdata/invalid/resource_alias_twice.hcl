workflow "w" {}

job "a" {
  resources {
    partition = "short"
    queue     = "long"
  }
  command = "echo hi"
}
