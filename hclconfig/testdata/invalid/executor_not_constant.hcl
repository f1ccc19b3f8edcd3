workflow "w" {}

param "where" {
  type    = string
  default = "local"
}

job "a" {
  executor = param.where
  command  = "echo hi"
}
