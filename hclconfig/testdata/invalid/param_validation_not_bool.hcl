workflow "w" {}

param "n" {
  type    = number
  default = 1
  validation {
    condition     = param.n + 1
    error_message = "n must be small"
  }
}

job "a" {
  command = "echo ${param.n}"
}
