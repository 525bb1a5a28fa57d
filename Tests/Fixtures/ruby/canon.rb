# Tests/Fixtures/ruby/canon.rb: the reference canonicalizer for RubyMarshal — Ruby's own loaded value
# written as the canonical JSON of docs/ruby-marshal.md, from Ruby's introspection of the value (not
# from the bytes). RubyMarshalTests compares the Swift decoder's output with this, byte for byte.
require 'base64'

module RubyCanon
  MAX_SAFE = 2**53 - 1
  PLAIN_ENCODINGS = [Encoding::UTF_8, Encoding::US_ASCII, Encoding::ASCII_8BIT].freeze

  # A JSON string of valid UTF-8 bytes, escaped as ByteText.JSONString does.
  def self.jstr(s)
    out = +'"'
    s.b.each_byte do |b|
      out << case b
             when 0x22 then '\\"'
             when 0x5C then '\\\\'
             when 0x08 then '\\b'
             when 0x0C then '\\f'
             when 0x0A then '\\n'
             when 0x0D then '\\r'
             when 0x09 then '\\t'
             else b < 0x20 ? format('\\u%04x', b) : b.chr
             end
    end
    (out << '"').b
  end

  def self.utf8?(s) = s.b.dup.force_encoding(Encoding::UTF_8).valid_encoding?

  def self.b64(s) = '{"$bytes":"'.b + [s.b].pack('m0').b + '"}'.b

  def self.text(s) = utf8?(s) ? jstr(s) : b64(s)

  # Swift's Double.description: shortest round-trip digits; exponent form below 1e-4 or from 2^53.
  def self.float(d)
    return '{"$float":"nan"}' if d.nan?
    return(d > 0 ? '{"$float":"inf"}' : '{"$float":"-inf"}') if d.infinite?
    return(1.0 / d < 0 ? '-0.0' : '0.0') if d.zero?
    sign = d < 0 ? '-' : ''
    r = d.abs.to_s
    if r.include?('e')
      mant, exp = r.split('e')
      exp = exp.to_i
    else
      mant = r
      exp = 0
    end
    ip, fp = mant.split('.')
    digits = (ip + (fp || '')).sub(/\A0+/, '')
    decpt = ip.sub(/\A0+/, '').length + exp
    decpt -= ((ip + (fp || ''))[/\A0*/].length - ip.length) if ip.sub(/\A0+/, '').empty?
    digits = digits.sub(/0+\z/, '')
    digits = '0' if digits.empty?
    if d.abs < 1e-4 || d.abs > 2.0**53
      e = decpt - 1
      m = digits[0] + (digits.length > 1 ? '.' + digits[1..] : '')
      "#{sign}#{m}e#{e < 0 ? '-' : '+'}#{format('%02d', e.abs)}"
    elsif decpt <= 0
      "#{sign}0.#{'0' * -decpt}#{digits}"
    elsif decpt >= digits.length
      "#{sign}#{digits}#{'0' * (decpt - digits.length)}.0"
    else
      "#{sign}#{digits[0, decpt]}.#{digits[decpt..]}"
    end
  end

  def self.integer(n) = n.abs <= MAX_SAFE ? n.to_s : %({"$int":"#{n}"})

  def self.offset_text(off)
    a = off.abs
    s = (off < 0 ? '-' : '+') + format('%02d:%02d', a / 3600, a / 60 % 60)
    s += format(':%02d', a % 60) if a % 60 != 0
    s
  end

  class Writer
    attr_reader :classes

    def initialize
      @classes = []
      @active = {}
    end

    def note(name)
      @classes << name unless @classes.include?(name)
      name
    end

    def ptr(path) = RubyCanon.jstr(path.map { |t| '/' + t.to_s.gsub('~', '~0').gsub('/', '~1') }.join)

    def value(v, path)
      case v
      when nil then 'null'
      when true then 'true'
      when false then 'false'
      when Integer then RubyCanon.integer(v)
      when Float then RubyCanon.float(v)
      when Symbol then '{"$symbol":'.b + RubyCanon.text(v.to_s) + '}'
      else
        if (start = @active[v.__id__])
          return '{"$ref":'.b + ptr(start) + '}'
        end
        @active[v.__id__] = path.dup
        begin
          compound(v, path)
        ensure
          @active.delete(v.__id__)
        end
      end
    end

    def extends(v)
      return [] if v.is_a?(Module)
      sc = v.singleton_class
      sc.ancestors.take_while { |m| m != v.class }.reject { |m| m == sc || m.is_a?(Class) }
    rescue TypeError
      []
    end

    def compound(v, path)
      mods = extends(v)
      return core(v, path) if mods.empty?
      out = '{"$extend":['.b + mods.map { |m| RubyCanon.jstr(note(m.name)) }.join(',').b + '],"$value":'.b
      out + core(v, path + ['$value']) + '}'
    end

    def ivars_json(obj, names, path)
      return '{}' if names.empty?
      '{'.b + names.map { |n| RubyCanon.jstr(n.to_s) + ':' + value(obj.instance_variable_get(n), path + [n.to_s]) }.join(',').b + '}'
    end

    def wrapped(v, path, builtin)
      ivs = v.instance_variables
      cls = v.class == builtin ? nil : v.class.name
      return yield(path) if cls.nil? && ivs.empty?
      out = +''.b
      out << (cls ? '{"$class":'.b + RubyCanon.jstr(note(cls)) + ',"$value":' : '{"$value":')
      out << yield(path + ['$value'])
      out << ',"$ivars":'.b + ivars_json(v, ivs, path + ['$ivars']) unless ivs.empty?
      out + '}'
    end

    def string(s)
      if PLAIN_ENCODINGS.include?(s.encoding)
        RubyCanon.text(s)
      else
        '{"$bytes":"'.b + [s.b].pack('m0') + '","$encoding":'.b + RubyCanon.jstr(s.encoding.name) + '}'
      end
    end

    def key_name(k)
      n = case k
          when Symbol then k.to_s
          when String
            return nil unless k.class == String && k.instance_variables.empty? && PLAIN_ENCODINGS.include?(k.encoding) && extends(k).empty?
            k
          end
      return nil if n.nil? || !RubyCanon.utf8?(n) || n.b.start_with?('$')
      n.b
    end

    def hash(h, path)
      names = h.keys.map { |k| key_name(k) }
      if h.default.nil? && names.none?(&:nil?) && names.uniq.length == names.length
        return '{'.b + h.each_with_index.map { |(_, v), i| RubyCanon.jstr(names[i]) + ':' + value(v, path + [names[i]]) }.join(',').b + '}'
      end
      pairs = h.each_with_index.map do |(k, v), i|
        '['.b + value(k, path + ['$hash', i, 0]) + ',' + value(v, path + ['$hash', i, 1]) + ']'
      end
      out = '{"$hash":['.b + pairs.join(',').b + ']'
      out << ',"$default":'.b + value(h.default, path + ['$default']) unless h.default.nil?
      out + '}'
    end

    def time(t)
      return nil unless t.class == Time
      note('Time')
      base = t.strftime('%Y-%m-%dT%H:%M:%S.%N')
      iso = base + (t.utc? ? 'Z' : RubyCanon.offset_text(t.utc_offset))
      out = '{"$time":'.b + RubyCanon.jstr(iso)
      out << ',"$zone":'.b + RubyCanon.text(t.zone) if t.zone.is_a?(String)
      out + '}'
    end

    def core(v, path)
      case v
      when String then wrapped(v, path, String) { string(v) }
      when Regexp
        wrapped(v, path, Regexp) { '{"$regexp":'.b + RubyCanon.text(v.source) + ',"$options":' + v.options.to_s + '}' }
      when Array then wrapped(v, path, Array) { |p| '['.b + v.each_with_index.map { |x, i| value(x, p + [i]) }.join(',').b + ']' }
      when Hash then wrapped(v, path, Hash) { |p| hash(v, p) }
      when Class then '{"$rubyclass":'.b + RubyCanon.jstr(note(v.name)) + '}'
      when Module then '{"$module":'.b + RubyCanon.jstr(note(v.name)) + '}'
      when Time then time(v)
      when Rational then data_form(v, [v.numerator, v.denominator], path)
      when Complex then data_form(v, [v.real, v.imaginary], path)
      when Struct
        members = '{'.b + v.each_pair.map { |m, x| RubyCanon.jstr(m.to_s) + ':' + value(x, path + ['$struct', m.to_s]) }.join(',').b + '}'
        '{"$class":'.b + RubyCanon.jstr(note(v.class.name)) + ',"$struct":' + members + '}'
      else
        if v.respond_to?(:marshal_dump)
          data_form(v, v.marshal_dump, path)
        elsif v.respond_to?(:_dump)
          '{"$class":'.b + RubyCanon.jstr(note(v.class.name)) + ',"$dump":' + RubyCanon.b64(v._dump(-1)) + '}'
        else
          '{"$class":'.b + RubyCanon.jstr(note(v.class.name)) + ',"$ivars":' + ivars_json(v, v.instance_variables, path + ['$ivars']) + '}'
        end
      end
    end

    def data_form(v, data, path)
      '{"$class":'.b + RubyCanon.jstr(note(v.class.name)) + ',"$data":' + value(data, path + ['$data']) + '}'
    end
  end

  # [json, classes] of a loaded value.
  def self.canonical(v)
    w = Writer.new
    json = w.value(v, [])
    [json.b, w.classes]
  end
end
