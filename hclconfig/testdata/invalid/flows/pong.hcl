workflow "pong" {}

flow "ping" {
  source = "./ping.hcl"
}
