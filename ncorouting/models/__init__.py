"""Neural policies, their decoding and test-time search. Importing this package makes rl4co sample with
`sampling.sample_categorical` (same distribution as torch.multinomial, many times faster on CPU)."""

from ncorouting.models.sampling import install_in_rl4co

install_in_rl4co()
