workflow "w" {}

flow "qc" {
  source = "./flows/needs.hcl"
  params = {
    lable = "x"
  }
}
