workflow "w" {}

param "files" {
  type    = list(string)
  default = ["a", "b"]
}

job "cat" {
  command = "cat ${param.files}"
}
