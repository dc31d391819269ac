RETURN 'plain', "double", 'it\'s', "say \"hi\"", 'back\\slash', 'tab\tnew\nline\rcr', '\u00e9\U0001F600', 'b\bf\f', ''
