"""The stacks layer: which components a stage is made of, and the Pulumi program that deploys them."""
