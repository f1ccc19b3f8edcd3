workflow "w" {}

param "executor" {
  type    = string
  default = "slurm"
}

job "a" {
  command = "echo ${param.executor}"
}
