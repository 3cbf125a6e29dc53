"""The whole job for a batch of inputs: read, clean, segment, normalise, synthesise, assemble,
tag, record in the catalog, publish.

Per article: `text.prepare` (text stages) -> `Ledger.plan` (identity, slug, unchanged?) ->
`voicing.render` (audio stages, files placed by the store) -> `Ledger.record` (one catalog
transaction). `batch` runs articles in worker threads; `run` holds the entry points. The
public door is `audioarticles.api`; these modules are free to move.
"""

from audioarticles.pipeline.batch import Batch, Sequencer, default_jobs, stop_on_signals
from audioarticles.pipeline.changes import RENDER_REVISION, content_hash, render_fingerprint
from audioarticles.pipeline.ledger import Ledger, Plan
from audioarticles.pipeline.results import (Converted, ConvertReport, Interrupted, Outcome,
                                            Progress)
from audioarticles.pipeline.run import convert, run_batch, sync, upgrade
from audioarticles.pipeline.sweeps import sweep_orphan_audio, sweep_partial_files
from audioarticles.pipeline.text import STAGES, Prepared, TextStage, prepare, text_at_stage
from audioarticles.pipeline.voicing import VoicedBy, Voicing, fallback_chain, render

__all__ = ["RENDER_REVISION", "STAGES", "Batch", "ConvertReport", "Converted", "Interrupted",
           "Ledger", "Outcome", "Plan", "Prepared", "Progress", "Sequencer", "TextStage",
           "VoicedBy", "Voicing", "content_hash", "convert", "default_jobs", "fallback_chain",
           "prepare",
           "render", "render_fingerprint", "run_batch", "stop_on_signals",
           "sweep_orphan_audio", "sweep_partial_files", "sync", "text_at_stage", "upgrade"]
