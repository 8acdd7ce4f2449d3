/// Each optimizer's update rule in plain text, as PyTorch's documentation writes it (its
/// algorithm boxes, with LaTeX turned into Unicode), keyed by PyTorch class name. `descent show`
/// prints them; where a rule comes from another reference implementation (Lion, the
/// schedule-free optimizers) that implementation's code is what is written out.
public enum UpdateRules {
  /// The rule of the optimizer `name` (a PyTorch class name, any case), or `nil` when none is
  /// written.
  public static func rule(for name: String) -> String? {
    if let rule = rules[name] { return rule }
    return rules.first { $0.key.lowercased() == name.lowercased() }?.value
  }

  /// The names that have a rule.
  public static var names: [String] { rules.keys.sorted() }

  private static let rules: [String: String] = [
    "SGD": sgd, "Adagrad": adagrad, "RMSprop": rmsprop, "Adam": adam, "AdamW": adamW,
    "Adadelta": adadelta, "Adamax": adamax, "NAdam": nAdam, "RAdam": rAdam, "ASGD": asgd,
    "Rprop": rprop, "Adafactor": adafactor, "LBFGS": lbfgs, "Lion": lion,
    "AdamWScheduleFree": adamWScheduleFree, "SGDScheduleFree": sgdScheduleFree, "Muon": muon,
    "AdamBF16": adam, "Adam8bit": adam8bit, "AdamW8bit": adam8bit, "SGD8bit": sgd8bit,
    "Lion8bit": lion8bit,
  ]

  private static let sgd = """
    input: γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay),
           μ (momentum), τ (dampening), nesterov, maximize
    for t = 1 to ... do
        if maximize: g_t ← -∇θ f_t(θ_{t-1})
        else:        g_t ← ∇θ f_t(θ_{t-1})
        if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        if μ ≠ 0:
            if t > 1: b_t ← μ b_{t-1} + (1 - τ) g_t
            else:     b_t ← g_t
            if nesterov: g_t ← g_t + μ b_t
            else:        g_t ← b_t
        θ_t ← θ_{t-1} - γ g_t
    return θ_t
    """

  private static let adagrad = """
    input: γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay),
           τ (initial accumulator value), η (lr decay), ε (eps)
    initialize: state_sum₀ ← τ
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        γ̃ ← γ / (1 + (t - 1) η)
        if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        state_sum_t ← state_sum_{t-1} + g_t²
        θ_t ← θ_{t-1} - γ̃ g_t / (√state_sum_t + ε)
    return θ_t
    """

  private static let rmsprop = """
    input: α (alpha), γ (lr), θ₀ (params), f(θ) (objective),
           λ (weight decay), μ (momentum), centered, ε (eps)
    initialize: v₀ ← 0 (square average), b₀ ← 0 (buffer), g^ave₀ ← 0
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        v_t ← α v_{t-1} + (1 - α) g_t²
        ṽ_t ← v_t
        if centered:
            g^ave_t ← α g^ave_{t-1} + (1 - α) g_t
            ṽ_t ← ṽ_t - (g^ave_t)²
        if μ > 0:
            b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε)
            θ_t ← θ_{t-1} - γ b_t
        else:
            θ_t ← θ_{t-1} - γ g_t / (√ṽ_t + ε)
    return θ_t
    """

  private static let adam = """
    input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective),
           λ (weight decay), amsgrad, maximize, ε (eps)
    initialize: m₀ ← 0 (first moment), v₀ ← 0 (second moment), v₀^max ← 0
    for t = 1 to ... do
        if maximize: g_t ← -∇θ f_t(θ_{t-1})
        else:        g_t ← ∇θ f_t(θ_{t-1})
        if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        m_t ← β₁ m_{t-1} + (1 - β₁) g_t
        v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
        m̂_t ← m_t / (1 - β₁^t)
        if amsgrad:
            v_t^max ← max(v_{t-1}^max, v_t)
            v̂_t ← v_t^max / (1 - β₂^t)
        else:
            v̂_t ← v_t / (1 - β₂^t)
        θ_t ← θ_{t-1} - γ m̂_t / (√v̂_t + ε)
    return θ_t
    with stateDType bfloat16 (Descent's option), m_t and v_t are stored rounded to the nearest
    bfloat16 (ties to even) after each step; the arithmetic stays float32.
    """

  private static let adamW = """
    input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), ε (eps),
           λ (weight decay), amsgrad, maximize
    initialize: m₀ ← 0 (first moment), v₀ ← 0 (second moment), v₀^max ← 0
    for t = 1 to ... do
        if maximize: g_t ← -∇θ f_t(θ_{t-1})
        else:        g_t ← ∇θ f_t(θ_{t-1})
        θ_t ← θ_{t-1} - γ λ θ_{t-1}            (decoupled weight decay)
        m_t ← β₁ m_{t-1} + (1 - β₁) g_t
        v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
        m̂_t ← m_t / (1 - β₁^t)
        if amsgrad:
            v_t^max ← max(v_{t-1}^max, v_t)
            v̂_t ← v_t^max / (1 - β₂^t)
        else:
            v̂_t ← v_t / (1 - β₂^t)
        θ_t ← θ_t - γ m̂_t / (√v̂_t + ε)
    return θ_t
    with stateDType bfloat16 (Descent's option), m_t and v_t are stored rounded to the nearest
    bfloat16 (ties to even) after each step; the arithmetic stays float32.
    """

  private static let adadelta = """
    input: γ (lr), θ₀ (params), f(θ) (objective), ρ (decay), λ (weight decay), ε (eps)
    initialize: v₀ ← 0 (square avg), u₀ ← 0 (accumulate variables)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        v_t ← v_{t-1} ρ + g_t² (1 - ρ)
        Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t
        u_t ← u_{t-1} ρ + Δx_t² (1 - ρ)
        θ_t ← θ_{t-1} - γ Δx_t
    return θ_t
    """

  private static let adamax = """
    input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weight decay), ε (eps)
    initialize: m₀ ← 0 (first moment), u₀ ← 0 (infinity norm)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        m_t ← β₁ m_{t-1} + (1 - β₁) g_t
        u_t ← max(β₂ u_{t-1}, |g_t| + ε)
        θ_t ← θ_{t-1} - γ m_t / ((1 - β₁^t) u_t)
    return θ_t
    """

  private static let nAdam = """
    input: γ_t (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective),
           λ (weight decay), ψ (momentum decay), decoupled_weight_decay, maximize, ε (eps)
    initialize: m₀ ← 0 (first moment), v₀ ← 0 (second moment)
    for t = 1 to ... do
        if maximize: g_t ← -∇θ f_t(θ_{t-1})
        else:        g_t ← ∇θ f_t(θ_{t-1})
        θ_t ← θ_{t-1}
        if λ ≠ 0:
            if decoupled_weight_decay: θ_t ← θ_{t-1} - γ λ θ_{t-1}
            else:                      g_t ← g_t + λ θ_{t-1}
        μ_t ← β₁ (1 - ½ · 0.96^(t ψ))
        μ_{t+1} ← β₁ (1 - ½ · 0.96^((t+1) ψ))
        m_t ← β₁ m_{t-1} + (1 - β₁) g_t
        v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
        m̂_t ← μ_{t+1} m_t / (1 - ∏_{i=1..t+1} μ_i) + (1 - μ_t) g_t / (1 - ∏_{i=1..t} μ_i)
        v̂_t ← v_t / (1 - β₂^t)
        θ_t ← θ_t - γ m̂_t / (√v̂_t + ε)
    return θ_t
    """

  private static let rAdam = """
    input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weight decay),
           maximize, ε (eps), decoupled_weight_decay
    initialize: m₀ ← 0 (first moment), v₀ ← 0 (second moment), ρ_∞ ← 2 / (1 - β₂) - 1
    for t = 1 to ... do
        if maximize: g_t ← -∇θ f_t(θ_{t-1})
        else:        g_t ← ∇θ f_t(θ_{t-1})
        θ_t ← θ_{t-1}
        if λ ≠ 0:
            if decoupled_weight_decay: θ_t ← θ_t - γ λ θ_t
            else:                      g_t ← g_t + λ θ_t
        m_t ← β₁ m_{t-1} + (1 - β₁) g_t
        v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
        m̂_t ← m_t / (1 - β₁^t)
        ρ_t ← ρ_∞ - 2 t β₂^t / (1 - β₂^t)
        if ρ_t > 5:
            l_t ← √(1 - β₂^t) / (√v_t + ε)
            r_t ← √((ρ_t - 4)(ρ_t - 2) ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2) ρ_t))
            θ_t ← θ_t - γ m̂_t r_t l_t
        else:
            θ_t ← θ_t - γ m̂_t
    return θ_t
    """

  private static let asgd = """
    input: γ (lr), θ₀ (params), f(θ) (objective), λ (lambd), α (alpha),
           t₀ (t0), λ_wd (weight decay)
    initialize: η₀ ← γ (step size), μ₀ ← 1 (averaging coefficient), ax₀ ← θ₀ (average)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        if λ_wd ≠ 0: g_t ← g_t + λ_wd θ_{t-1}
        θ_t ← θ_{t-1} (1 - λ η_{t-1}) - η_{t-1} g_t
        if μ_{t-1} ≠ 1: ax_t ← ax_{t-1} + μ_{t-1} (θ_t - ax_{t-1})
        else:           ax_t ← θ_t
        η_t ← γ / (1 + λ γ t)^α
        μ_t ← 1 / max(1, t - t₀)
    return θ_t (and the average ax_t)
    (PyTorch's docs give no algorithm box for ASGD; this is its code, torch/optim/asgd.py.)
    """

  private static let rprop = """
    input: θ₀ ∈ Rᵈ (params), f(θ) (objective),
           η₊, η₋ (etaplus, etaminus), Γ_max, Γ_min (step sizes)
    initialize: g_prev⁰ ← 0, η₀ ← lr (learning rate)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        for i = 0, 1, ..., d-1 do
            if g_prev^i g_t^i > 0:
                η_t^i ← min(η_{t-1}^i η₊, Γ_max)
            else if g_prev^i g_t^i < 0:
                η_t^i ← max(η_{t-1}^i η₋, Γ_min)
                g_t^i ← 0
            else:
                η_t^i ← η_{t-1}^i
        θ_t ← θ_{t-1} - η_t sign(g_t)
        g_prev ← g_t
    return θ_t
    """

  private static let adafactor = """
    input: γ (lr), τ (β₂ decay), θ₀ (params), f(θ) (objective),
           ε₁, ε₂ (epsilons), d (clipping threshold), λ (weight decay), maximize
    initialize: R₀ ← 0 (second moment row factor), C₀ ← 0 (second moment col factor),
                V̂₀ ← 0 (second moment for vectors)
    for t = 1 to ... do
        if maximize: G_t ← -∇θ f_t(θ_{t-1})
        else:        G_t ← ∇θ f_t(θ_{t-1})
        β̂₂_t ← 1 - t^τ
        ρ_t ← min(γ, 1 / √t)
        α_t ← max(ε₂, RMS(θ_{t-1})) ρ_t
        θ_t ← θ_{t-1} - γ λ θ_{t-1}
        if dim(G_t) > 1:
            R_t ← β̂₂_t R_{t-1} + (1 - β̂₂_t) (G_t ⊙ G_t) · 1_m
            C_t ← β̂₂_t C_{t-1} + (1 - β̂₂_t) 1_nᵀ · (G_t ⊙ G_t)
            V̂_t ← R_t · C_t / max(1_nᵀ · R_t, ε₁)
        else:
            V̂_t ← β̂₂_t V̂_{t-1} + (1 - β̂₂_t) (G_t ⊙ G_t)
        U_t ← G_t / max(√V̂_t, ε₁)
        Û_t ← U_t / max(1, RMS(U_t) / d)
        θ_t ← θ_{t-1} - α_t Û_t
    return θ_t
    """

  private static let lbfgs = """
    input: γ (lr), θ₀ (params), f(θ) (objective, re-evaluated by a closure), m (history_size),
           max_iter, max_eval, tolerance_grad, tolerance_change, line_search_fn
    initialize: pairs (s_i, y_i) ← empty, H₀ ← 1
    repeat up to max_iter times per step() (stop when |g|_∞ ≤ tolerance_grad):
        g ← ∇θ f(θ)
        if there is a previous step: s ← θ - θ_prev, y ← g - g_prev
            if yᵀs > 1e-10: keep (s, y), dropping the oldest beyond m; H₀ ← yᵀs / yᵀy
        two-loop recursion: q ← -g
            for i = newest ... oldest: a_i ← (s_iᵀ q) / (y_iᵀ s_i); q ← q - a_i y_i
            d ← H₀ q
            for i = oldest ... newest: b ← (y_iᵀ d) / (y_iᵀ s_i); d ← d + s_i (a_i - b)
        first iteration: α ← min(1, 1 / |g|₁) γ; later: α ← γ
        if line_search_fn = "strong_wolfe": α ← a step meeting the strong Wolfe conditions along d
        θ ← θ + α d
        stop when |α d|_∞ ≤ tolerance_change, |Δf| < tolerance_change, or max_eval is reached
    return θ
    (PyTorch's docs give no algorithm box for LBFGS; this is its code, torch/optim/lbfgs.py.)
    """

  private static let lion = """
    input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weight decay)
    initialize: m₀ ← 0 (momentum)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        θ_t ← θ_{t-1} (1 - γ λ)
        c_t ← β₁ m_{t-1} + (1 - β₁) g_t
        θ_t ← θ_t - γ sign(c_t)
        m_t ← β₂ m_{t-1} + (1 - β₂) g_t
    return θ_t
    (lion-pytorch 0.2.5's code; PyTorch has no Lion.)
    """

  private static let adamWScheduleFree = """
    input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weight decay), ε (eps),
           warmup_steps, r, weight_lr_power
    initialize: z₀ ← θ₀, x₀ ← θ₀ (the average), v₀ ← 0, weight_sum ← 0, γ_max ← -1
    the parameters hold y = (1 - β₁) z + β₁ x in train mode, x in eval mode
    for t = 1 to ... do
        g_t ← ∇θ f_t(y_{t-1})                    (the gradient is taken at y)
        γ_t ← γ · min(1, t / warmup_steps)       (γ when warmup_steps = 0)
        γ_max ← max(γ_max, γ_t)
        w_t ← t^r · γ_max^weight_lr_power;  weight_sum ← weight_sum + w_t;  c_t ← w_t / weight_sum
        v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
        u_t ← g_t / (√(v_t / (1 - β₂^t)) + ε) + λ y_{t-1}
        z_t ← z_{t-1} - γ_t u_t
        x_t ← (1 - c_t) x_{t-1} + c_t z_t
        y_t ← (1 - β₁) z_t + β₁ x_t
    return x_t (call eval() before evaluating or saving)
    (schedulefree 1.4.1's code; PyTorch has no schedule-free optimizers.)
    """

  private static let sgdScheduleFree = """
    input: γ (lr), β (momentum), θ₀ (params), f(θ) (objective), λ (weight decay),
           warmup_steps, r, weight_lr_power
    initialize: z₀ ← θ₀, x₀ ← θ₀ (the average), weight_sum ← 0, γ_max ← -1
    the parameters hold y = (1 - β) z + β x in train mode, x in eval mode
    for t = 1 to ... do
        g_t ← ∇θ f_t(y_{t-1})                    (the gradient is taken at y)
        γ_t ← γ · min(1, t / warmup_steps)       (γ when warmup_steps = 0)
        γ_max ← max(γ_max, γ_t)
        w_t ← t^r · γ_max^weight_lr_power;  weight_sum ← weight_sum + w_t;  c_t ← w_t / weight_sum
        u_t ← g_t + λ y_{t-1}
        z_t ← z_{t-1} - γ_t u_t
        x_t ← (1 - c_t) x_{t-1} + c_t z_t
        y_t ← (1 - β) z_t + β x_t
    return x_t (call eval() before evaluating or saving)
    (schedulefree 1.4.1's code; PyTorch has no schedule-free optimizers.)
    """

  private static let muon = """
    input: γ (lr), λ (weight decay), μ (momentum), nesterov, (a, b, c) (NS coefficients),
           ε (eps), k (NS steps), θ₀ (params, matrices only), f(θ) (objective)
    initialize: B₀ ← 0 (momentum buffer)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        B_t ← μ B_{t-1} + (1 - μ) g_t             (the code's lerp; the docs write μ B_{t-1} + g_t)
        B̃_t ← g_t + μ (B_t - g_t) if nesterov, else B_t
        O_t ← NS_k^(a,b,c)(B̃_t; ε)               (k Newton-Schulz steps: X ← B̃_t / max(|B̃_t|_F, ε),
                                                  then A ← X Xᵀ, X ← a X + (b A + c A²) X)
        θ_t ← θ_{t-1} - γ λ θ_{t-1}              (decoupled weight decay)
        γ ← AdjustLR(γ; shape(θ_t))              (original: γ √max(1, A/B); match_rms_adamw: 0.2 γ √max(A, B))
        θ_t ← θ_t - γ O_t
    return θ_t
    """

  /// How bitsandbytes keeps a state tensor in 8 bits, shared by its optimizers' rules.
  private static let blockwise8bit = """
    state of 4096 elements or more, per block of 256 elements (bitsandbytes' blockwise 8-bit):
        stored: c (uint8 codes), a = max |s| over the block (float32), Q (256-entry dynamic map)
        read:   s ← Q[c] · a
        write:  a ← max |s|;  c ← the entry of Q nearest s / a (through a 65536-point table)
    smaller tensors keep s in float32

    """

  private static let adam8bit = """
    input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weight decay), ε (eps)
    initialize: m₀ ← 0 (state1), v₀ ← 0 (state2)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        m_t ← β₁ m_{t-1} + (1 - β₁) g_t
        v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
        if λ > 0: θ_t ← θ_{t-1} (1 - γ λ)        (decoupled, in Adam8bit as in AdamW8bit)
        8-bit state:   θ_t ← θ_t - γ/(1 - β₁^t) · m_t / (√v_t / √(1 - β₂^t) + ε)
        float32 state: θ_t ← θ_t - γ √(1 - β₂^t)/(1 - β₁^t) · m_t / (√v_t + ε √(1 - β₂^t))
    return θ_t
    """ + "\n" + blockwise8bit + """
      m in the signed map, v in the unsigned one.
      (bitsandbytes 0.50's CPU code; PyTorch has no 8-bit optimizers.)
      """

  private static let sgd8bit = """
    input: γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay), μ (momentum > 0)
    initialize: b₀ ← 0 (state1)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1}) + λ θ_{t-1}
        if t > 1: b_t ← μ b_{t-1} + g_t
        else:     b_t ← g_t
        θ_t ← θ_{t-1} - γ b_t
    return θ_t
    """ + "\n" + blockwise8bit + """
      b in the signed map; no dampening or Nesterov.
      (bitsandbytes 0.50's CPU code; PyTorch has no 8-bit optimizers.)
      """

  private static let lion8bit = """
    input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weight decay)
    initialize: m₀ ← 0 (state1)
    for t = 1 to ... do
        g_t ← ∇θ f_t(θ_{t-1})
        if λ > 0: θ_t ← θ_{t-1} (1 - γ λ)
        θ_t ← θ_t - γ sign(β₁ m_{t-1} + (1 - β₁) g_t)
        m_t ← β₂ m_{t-1} + (1 - β₂) g_t
    return θ_t
    """ + "\n" + blockwise8bit + """
      m in the signed map.
      (bitsandbytes 0.50's CPU code; PyTorch has no 8-bit optimizers.)
      """
}
