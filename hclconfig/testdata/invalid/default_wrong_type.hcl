workflow "w" {}

param "n" {
  type    = number
  default = "four"
}

job "a" {
  command = "echo ${param.n}"
}
