workflow "w" {}

param "chunks" {
  type    = number
  default = 4
}

job "split" {
  command = "split -n ${param.chunk} data"
}
