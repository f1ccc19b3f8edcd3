workflow "w" {}

flow "qc" {
  source = "./flows/nope.hcl"
}
