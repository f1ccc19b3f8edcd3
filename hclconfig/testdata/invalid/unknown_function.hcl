workflow "w" {}

job "a" {
  command = "echo ${fltten([[1], [2]])}"
}
