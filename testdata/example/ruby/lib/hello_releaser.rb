# frozen_string_literal: true

# A tiny greeting library, released by releaser's example workflow.
module HelloReleaser
  # Returns a friendly greeting for name.
  def self.greet(name)
    "Hello, #{name}!"
  end
end
