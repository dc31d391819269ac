RETURN {name: }
