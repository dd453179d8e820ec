"""An installable fmcore plugin: Karras et al.'s EDM sampler as the integrator ``edm-heun``."""
