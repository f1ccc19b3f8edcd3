workflow "w" {}

flow "again" {
  source = "./flow_self.hcl"
}
