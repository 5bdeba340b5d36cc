# frozen_string_literal: true

# A sample project for releaser init.
module X
  def self.hello
    "hello"
  end
end
