"""The agreed definitions (共通言語): loaded, validated and copied into the warehouse."""
