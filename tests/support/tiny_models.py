"""Tiny random-weight transformers models, built on the spot and saved like real checkpoints.

Each builder writes ``config.json``, the weights, a tokenizer or processor, and a model card
whose front matter names the pipeline tag (as a Hub download has), into the folder it is given.
Outputs are random; the plumbing — loading, pre/post-processing, batching — is real.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

WORDS = (
    "the a an is was are of to in on and or my name sarah lives london paris berlin "
    "i you he she it we they love hate like this that movie film food bread horse man "
    "eating riding piece good bad great terrible what where who when how why today "
    "weather sunny rain cat dog house car city country germany france english german "
    "translate summarize question answer context hello world yes no not very"
).split()


def card(
    folder: Path, pipeline_tag: str | None, widget: list[dict[str, object]] | None = None
) -> None:
    lines = ["---", "license: mit", "tags:", "- tiny", "- random-weights"]
    if pipeline_tag:
        lines.append(f"pipeline_tag: {pipeline_tag}")
    if widget:
        lines.append("widget:")
        for entry in widget:
            first = True
            for key, value in entry.items():
                lines.append(f"{'- ' if first else '  '}{key}: {json.dumps(value)}")
                first = False
    lines += ["---", "", "# A tiny random model for hubdemo's tests", ""]
    (folder / "README.md").write_text("\n".join(lines), encoding="utf-8")


def bert_tokenizer(folder: Path):  # type: ignore[no-untyped-def]
    from transformers import BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, ".", ",", "?", "!"]
    tokenizer = BertTokenizer(vocab={word: i for i, word in enumerate(vocab)}, model_max_length=128)
    tokenizer.save_pretrained(folder)
    return tokenizer


def _bert_config(tokenizer, **kwargs):  # type: ignore[no-untyped-def]
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
        **kwargs,
    )


def _labels(names: list[str]) -> dict[str, object]:
    return {"id2label": dict(enumerate(names)), "label2id": {n: i for i, n in enumerate(names)}}


def text_classification(folder: Path) -> None:
    from transformers import BertForSequenceClassification

    tok = bert_tokenizer(folder)
    config = _bert_config(tok, **_labels(["NEGATIVE", "NEUTRAL", "POSITIVE"]))
    BertForSequenceClassification(config).save_pretrained(folder)
    card(folder, "text-classification", [{"text": "I love this movie", "example_title": "Love"}])


def zero_shot_classification(folder: Path) -> None:
    from transformers import BertForSequenceClassification

    tok = bert_tokenizer(folder)
    config = _bert_config(tok, **_labels(["entailment", "neutral", "contradiction"]))
    BertForSequenceClassification(config).save_pretrained(folder)
    card(folder, "zero-shot-classification")


def token_classification(folder: Path) -> None:
    from transformers import BertForTokenClassification

    tok = bert_tokenizer(folder)
    config = _bert_config(tok, **_labels(["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]))
    BertForTokenClassification(config).save_pretrained(folder)
    card(folder, "token-classification")


def fill_mask(folder: Path) -> None:
    from transformers import BertForMaskedLM

    tok = bert_tokenizer(folder)
    BertForMaskedLM(_bert_config(tok)).save_pretrained(folder)
    card(folder, None)  # no pipeline_tag: the task comes from config.json's architecture


def question_answering(folder: Path) -> None:
    from transformers import BertForQuestionAnswering

    tok = bert_tokenizer(folder)
    BertForQuestionAnswering(_bert_config(tok)).save_pretrained(folder)
    card(folder, "question-answering")


def feature_extraction(folder: Path) -> None:
    from transformers import BertModel

    tok = bert_tokenizer(folder)
    BertModel(_bert_config(tok)).save_pretrained(folder)
    card(folder, "feature-extraction")


def _gpt2_config(tok, **kwargs):  # type: ignore[no-untyped-def]
    from transformers import GPT2Config

    return GPT2Config(
        vocab_size=len(tok),
        n_positions=64,
        n_embd=16,
        n_layer=1,
        n_head=2,
        bos_token_id=tok.cls_token_id,
        eos_token_id=tok.sep_token_id,
        **kwargs,
    )


def text_generation(folder: Path) -> None:
    from transformers import GPT2LMHeadModel

    tok = bert_tokenizer(folder)
    model = GPT2LMHeadModel(_gpt2_config(tok, pad_token_id=tok.pad_token_id))
    # Never generate special tokens (decoding drops them): the text has one word per new token.
    model.generation_config.suppress_tokens = list(tok.all_special_ids)
    model.save_pretrained(folder)
    card(folder, "text-generation")


# A minimal chat template: "role: content" lines, then "assistant:" for the answer.
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)


def chat_model(folder: Path) -> None:
    """The tiny GPT-2 with a chat template: the Hub would tag it "conversational"."""
    from transformers import AutoTokenizer

    text_generation(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(folder)


def seq2seq(folder: Path, pipeline_tag: str = "text2text-generation") -> None:
    from transformers import T5Config, T5ForConditionalGeneration

    tok = bert_tokenizer(folder)
    config = T5Config(
        vocab_size=len(tok),
        d_model=16,
        d_kv=8,
        d_ff=32,
        num_layers=1,
        num_heads=2,
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.sep_token_id,
        decoder_start_token_id=tok.pad_token_id,
        task_specific_params={"summarization": {"prefix": "summarize: "}},
    )
    T5ForConditionalGeneration(config).save_pretrained(folder)
    card(folder, pipeline_tag)


def _vit_config(**kwargs):  # type: ignore[no-untyped-def]
    from transformers import ViTConfig

    return ViTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        **kwargs,
    )


def _vit_processor(folder: Path) -> None:
    from transformers import ViTImageProcessor

    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)


def image_classification(folder: Path) -> None:
    from transformers import ViTForImageClassification

    folder.mkdir(parents=True, exist_ok=True)
    labels = ["cat", "dog", "bird", "car", "tree", "house", "boat"]
    ViTForImageClassification(_vit_config(**_labels(labels))).save_pretrained(folder)
    _vit_processor(folder)
    card(folder, "image-classification")


def depth_estimation(folder: Path) -> None:
    from transformers import DPTConfig, DPTForDepthEstimation, DPTImageProcessor

    folder.mkdir(parents=True, exist_ok=True)
    config = DPTConfig(
        hidden_size=16, num_hidden_layers=4, num_attention_heads=2, intermediate_size=32,
        image_size=32, patch_size=16, backbone_out_indices=[0, 1, 2, 3],
        neck_hidden_sizes=[8, 8, 8, 8], fusion_hidden_size=8, head_hidden_size=8,
        reassemble_factors=[4, 2, 1, 0.5],
    )  # fmt: skip
    DPTForDepthEstimation(config).save_pretrained(folder)
    DPTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    card(folder, "depth-estimation")


def image_segmentation(folder: Path) -> None:
    from transformers import (
        SegformerConfig,
        SegformerForSemanticSegmentation,
        SegformerImageProcessor,
    )

    folder.mkdir(parents=True, exist_ok=True)
    config = SegformerConfig(
        num_encoder_blocks=1, depths=[1], sr_ratios=[1], hidden_sizes=[8], patch_sizes=[7],
        strides=[4], num_attention_heads=[1], mlp_ratios=[2], decoder_hidden_size=8,
        **_labels(["sky", "road", "tree"]),
    )  # fmt: skip
    SegformerForSemanticSegmentation(config).save_pretrained(folder)
    SegformerImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    card(folder, "image-segmentation")


def zero_shot_image_classification(folder: Path) -> None:
    """A tiny CLIP, with a CLIP tokenizer whose vocabulary is the letters and a few words."""
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab: dict[str, int] = {}
    for piece in [*"abcdefghijklmnopqrstuvwxyz", "a photo of", "cat", "dog", "car"]:
        for token in (piece, piece + "</w>"):
            vocab.setdefault(token, len(vocab))
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = len(vocab), len(vocab) + 1
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"))
    small = {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
             "num_attention_heads": 2}  # fmt: skip
    config = CLIPConfig(
        text_config={**small, "vocab_size": len(vocab), "max_position_embeddings": 32,
                     "bos_token_id": vocab["<|startoftext|>"],
                     "eos_token_id": vocab["<|endoftext|>"]},
        vision_config={**small, "image_size": 32, "patch_size": 16},
        projection_dim=8,
    )  # fmt: skip
    CLIPModel(config).save_pretrained(folder)
    processor = CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    )
    CLIPProcessor(image_processor=processor, tokenizer=tokenizer).save_pretrained(folder)
    card(folder, "zero-shot-image-classification")


def object_detection(folder: Path) -> None:
    from transformers import YolosConfig, YolosForObjectDetection, YolosImageProcessor

    folder.mkdir(parents=True, exist_ok=True)
    config = YolosConfig(
        image_size=[32, 32],
        patch_size=8,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_detection_tokens=4,
        **_labels(["cat", "dog", "remote"]),
    )
    YolosForObjectDetection(config).save_pretrained(folder)
    YolosImageProcessor(size={"shortest_edge": 32, "longest_edge": 32}).save_pretrained(folder)
    card(folder, "object-detection")


def image_to_text(folder: Path) -> None:
    from transformers import VisionEncoderDecoderConfig, VisionEncoderDecoderModel

    tok = bert_tokenizer(folder)
    decoder = _gpt2_config(tok, add_cross_attention=True, is_decoder=True)
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(_vit_config(), decoder)
    config.decoder_start_token_id = tok.cls_token_id
    config.pad_token_id = tok.pad_token_id
    config.eos_token_id = tok.sep_token_id
    VisionEncoderDecoderModel(config=config).save_pretrained(folder)
    _vit_processor(folder)
    card(folder, "image-to-text")


def _wav2vec2_config(**kwargs):  # type: ignore[no-untyped-def]
    from transformers import Wav2Vec2Config

    return Wav2Vec2Config(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        conv_dim=(8, 8),
        conv_stride=(5, 4),
        conv_kernel=(10, 4),
        num_feat_extract_layers=2,
        num_conv_pos_embeddings=8,
        num_conv_pos_embedding_groups=2,
        **kwargs,
    )


def _feature_extractor(folder: Path) -> None:
    from transformers import Wav2Vec2FeatureExtractor

    Wav2Vec2FeatureExtractor(sampling_rate=16000, return_attention_mask=True).save_pretrained(
        folder
    )


def audio_classification(folder: Path) -> None:
    from transformers import Wav2Vec2ForSequenceClassification

    folder.mkdir(parents=True, exist_ok=True)
    config = _wav2vec2_config(**_labels(["speech", "music", "noise", "silence"]))
    Wav2Vec2ForSequenceClassification(config).save_pretrained(folder)
    _feature_extractor(folder)
    card(folder, "audio-classification")


def automatic_speech_recognition(folder: Path) -> None:
    from transformers import Wav2Vec2CTCTokenizer, Wav2Vec2ForCTC

    folder.mkdir(parents=True, exist_ok=True)
    letters = ["<pad>", "<s>", "</s>", "<unk>", "|", *"abcdefghijklmnopqrstuvwxyz'"]
    (folder / "vocab.json").write_text(json.dumps({c: i for i, c in enumerate(letters)}))
    tokenizer = Wav2Vec2CTCTokenizer(str(folder / "vocab.json"))
    tokenizer.save_pretrained(folder)
    config = _wav2vec2_config(vocab_size=len(letters), pad_token_id=0)
    Wav2Vec2ForCTC(config).save_pretrained(folder)
    _feature_extractor(folder)
    card(folder, "automatic-speech-recognition")


BUILDERS: dict[str, Callable[[Path], None]] = {
    "audio-classification": audio_classification,
    "automatic-speech-recognition": automatic_speech_recognition,
    "chat-completion": chat_model,
    "depth-estimation": depth_estimation,
    "feature-extraction": feature_extraction,
    "fill-mask": fill_mask,
    "image-classification": image_classification,
    "image-segmentation": image_segmentation,
    "image-to-text": image_to_text,
    "object-detection": object_detection,
    "question-answering": question_answering,
    "summarization": lambda folder: seq2seq(folder, "summarization"),
    "text-classification": text_classification,
    "text-generation": text_generation,
    "text2text-generation": seq2seq,
    "token-classification": token_classification,
    "translation": lambda folder: seq2seq(folder, "translation"),
    "zero-shot-classification": zero_shot_classification,
    "zero-shot-image-classification": zero_shot_image_classification,
}


class TinyModels(dict[str, Path]):
    """Task -> the folder of its tiny model under ``root``, built on first use (building all
    of them takes most of a minute; a test needs one or two)."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def __missing__(self, task: str) -> Path:
        import torch

        torch.manual_seed(0)  # the same random weights on every run
        BUILDERS[task](self.root / task)
        self[task] = self.root / task
        return self.root / task
