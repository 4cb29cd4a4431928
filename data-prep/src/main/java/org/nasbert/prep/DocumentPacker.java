package org.nasbert.prep;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.prep.corpus.CorpusCount;
import org.nasbert.prep.corpus.CorpusCounts;
import org.nasbert.prep.corpus.CorpusRecord;
import org.nasbert.text.IntList;
import org.nasbert.text.PackedSequence;
import org.nasbert.text.SentenceSplitter;
import org.nasbert.text.SequencePacker;
import org.nasbert.text.WordPieceTokenizer;
import org.nasbert.text.WordPieceVocabulary;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Tokenizes and packs one partition of documents, lazily: sequences stream out as records stream
 * in, and the partition's counts come last.
 */
final class DocumentPacker implements FlatMapFunction<Iterator<CorpusRecord>, TokenizedItem> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<WordPieceVocabulary> vocabulary;
    private final boolean sentences;
    private final int maxSeqLen;
    private final double shortSeqProb;
    private final long seed;

    DocumentPacker(Broadcast<WordPieceVocabulary> vocabulary, boolean sentences, int maxSeqLen,
                   double shortSeqProb, long seed) {
        this.vocabulary = vocabulary;
        this.sentences = sentences;
        this.maxSeqLen = maxSeqLen;
        this.shortSeqProb = shortSeqProb;
        this.seed = seed;
    }

    @Override
    public Iterator<TokenizedItem> call(Iterator<CorpusRecord> records) {
        WordPieceTokenizer tokenizer = WordPieceTokenizer.forVocabulary(vocabulary.value());
        WordPieceVocabulary vocab = tokenizer.vocabulary();
        return new Packing(records, tokenizer, new SequencePacker(maxSeqLen, shortSeqProb, vocab.clsId(), vocab.sepId()));
    }

    private final class Packing implements Iterator<TokenizedItem> {
        private final Iterator<CorpusRecord> records;
        private final WordPieceTokenizer tokenizer;
        private final SequencePacker packer;
        private final SentenceSplitter splitter = new SentenceSplitter();
        private final IntList ends = new IntList();
        private final IntList ids = new IntList(256);
        private final CorpusCounts counts = new CorpusCounts();
        private final ArrayDeque<TokenizedItem> ready = new ArrayDeque<>();
        private final List<PackedSequence> packed = new ArrayList<>();
        private SequencePacker.Document document;
        private long documentTokens;
        private boolean countsSent;

        Packing(Iterator<CorpusRecord> records, WordPieceTokenizer tokenizer, SequencePacker packer) {
            this.records = records;
            this.tokenizer = tokenizer;
            this.packer = packer;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && records.hasNext()) {
                process(records.next());
            }
            if (ready.isEmpty() && document != null) {
                // Records of a document always end with endsDocument; this only guards against losing tokens.
                document.finish(packed);
                finishDocument();
                emitPacked();
            }
            if (ready.isEmpty() && !countsSent) {
                countsSent = true;
                ready.add(TokenizedItem.of(counts));
            }
            return !ready.isEmpty();
        }

        @Override
        public TokenizedItem next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void process(CorpusRecord record) {
            counts.merge(record.counts);
            if (record.isCountsOnly()) {
                return;
            }
            if (document == null) {
                document = packer.startDocument(record.docId, seed);
                documentTokens = 0;
            }
            for (String line : record.lines) {
                addLine(line);
            }
            if (record.endsDocument) {
                document.finish(packed);
                finishDocument();
            }
            emitPacked();
        }

        private void emitPacked() {
            for (PackedSequence sequence : packed) {
                counts.increment(CorpusCount.SEQUENCES);
                if (sequence.hasSegmentB()) {
                    counts.increment(CorpusCount.SEQUENCES_WITH_SEGMENT_B);
                }
                ready.add(TokenizedItem.of(sequence));
            }
            packed.clear();
        }

        private void addLine(String line) {
            long before = documentTokens;
            if (sentences) {
                splitter.split(line, ends);
                int from = 0;
                for (int i = 0; i < ends.size(); i++) {
                    addSegment(line, from, ends.get(i));
                    from = ends.get(i);
                }
            } else {
                addSegment(line, 0, line.length());
            }
            long lineTokens = documentTokens - before;
            counts.increment(lineTokens > 0 ? CorpusCount.LINES_TOKENIZED : CorpusCount.LINE_WITHOUT_TOKENS);
            counts.add(CorpusCount.TOKENS, lineTokens);
        }

        private void addSegment(String line, int from, int to) {
            ids.clear();
            if (tokenizer.encode(line, from, to, ids) > 0) {
                documentTokens += ids.size();
                document.add(ids.toArray(), packed);
            }
        }

        private void finishDocument() {
            if (documentTokens == 0) {
                counts.increment(CorpusCount.EMPTY_DOCUMENT);
            } else {
                counts.increment(CorpusCount.DOCUMENTS);
            }
            counts.add(CorpusCount.TOKENS_IN_SEQUENCES, document.tokensKept);
            counts.add(CorpusCount.TOKENS_TRUNCATED, document.tokensTruncated);
            document = null;
        }
    }
}
