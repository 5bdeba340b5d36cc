# frozen_string_literal: true

Gem::Specification.new do |spec|
  spec.name = "x"
  spec.version = "0.1.0"
  spec.authors = ["Octo"]
  spec.summary = "A sample project for releaser init."
  spec.license = "MIT"
  spec.files = ["lib/x.rb"]
  spec.metadata["source_code_uri"] = "https://github.com/octo-org/x"
end
