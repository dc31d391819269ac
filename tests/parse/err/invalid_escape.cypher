RETURN 'data\qflow'
