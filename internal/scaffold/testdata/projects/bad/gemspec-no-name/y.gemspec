Gem::Specification.new do |s|
  s.name = NAME
end
