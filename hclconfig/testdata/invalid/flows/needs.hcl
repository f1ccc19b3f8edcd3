workflow "needs" {}

param "label" {
  type = string
}

job "report" {
  command = "echo ${param.label} > report.txt"
  outputs = ["report.txt"]
}

output "report" {
  value = job.report.outputs[0]
}
