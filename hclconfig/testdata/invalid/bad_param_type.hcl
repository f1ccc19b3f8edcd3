workflow "w" {}

param "n" {
  type = integer
}

job "a" {
  command = "echo ${param.n}"
}
