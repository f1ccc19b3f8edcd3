workflow "ping" {}

flow "pong" {
  source = "./pong.hcl"
}
