workflow "w" {}

param "x" {
  type    = string
  default = "hi"
}

job "a" {
  command = format("echo %s", param.x)
}
