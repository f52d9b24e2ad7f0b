"""The loopback demo world: generated free content, a seeder and a Torznab endpoint on 127.0.0.1."""
