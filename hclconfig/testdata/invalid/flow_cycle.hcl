workflow "w" {}

flow "a" {
  source = "./flows/ping.hcl"
}
