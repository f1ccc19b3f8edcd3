workflow "w" {}

job "a" {
  command = "date > /tmp/x"
  outputs = ["/tmp/x", "../y"]
}
