workflow "w" {}

flow "qc" {
  source = "./flows/needs.hcl"
  params = {
    label = "x"
  }
}

job "a" {
  command = "cat ${flow.qc.reprot}"
}
