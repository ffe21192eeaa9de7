/**
 * Naturalized data set → Part-10 bytes (Explicit VR Little Endian), written by dcmjs. The one
 * place this layer encodes files: the SEG writer and the series writer both use it.
 */
import { data as dcmjsData } from 'dcmjs';
import { type Dataset } from './dataset';
import { TransferSyntax } from './transfer-syntax';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './uid';

/** File meta information (group 0002) for an instance written by this implementation. */
export function fileMeta(sopClassUID: string, sopInstanceUID: string): Dataset {
  return {
    FileMetaInformationVersion: [new Uint8Array([0, 1]).buffer],
    MediaStorageSOPClassUID: sopClassUID,
    MediaStorageSOPInstanceUID: sopInstanceUID,
    TransferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  };
}

/** Encode `dataset` with its file meta information as a Part-10 file. */
export function writePart10(meta: Dataset, dataset: Dataset): ArrayBuffer {
  const { DicomDict, DicomMetaDictionary } = dcmjsData;
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return file.write();
}
